"""Builds the composed part of the labeled set: `python data/labeled/build.py`.

Writes data/labeled/composed_train.jsonl and composed_test.jsonl from the hand-written fragments
below (situations per category, complaint acts, escalation threats, inquiries, praise, sarcasm,
negation, competitor and 移动硬盘-type confusers, style wrappers). Every fragment list is split by
position (every fifth item from the third on is held out), and test posts are composed only from
held-out fragments, so the test score measures wording the model has not seen. Seeded: the
output is reproducible. See docs/nlp.md for how it was made and its limits.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REGIONS = HERE.parent.parent / "keywords" / "regions.yaml"

# --- who: mentions of the operator ------------------------------------------------------------
OPS = ["移动", "中国移动", "湖南移动", "{city}移动", "移动公司", "移动这边", "中移动", "移动的",
       "湖南移动", "中国移动", "移动", "{city}移动公司", "移动营业厅", "CMCC", "移动客服"]

# --- situations: category -> (neutral problem statements) ------------------------------------
PROBLEMS: dict[str, list[str]] = {
    "网络覆盖/信号": [
        "家里一格信号都没有，打电话要跑到阳台上", "小区地下车库完全没信号", "电梯里一进去就断线",
        "村里信号时有时无，老人打不通电话", "在屋里打电话断断续续，对方听不清", "单位楼里信号只有一格",
        "新搬的小区到现在还没覆盖5G，一直是4G还经常掉", "晚上经常显示无服务", "出了城区基本就没信号了",
        "高铁上一路掉线", "山里的老家完全打不通电话", "信号显示满格但是就是打不出去",
        "一到下雨天信号就没了", "基站拆了以后家里信号差了一大截", "开会的时候电话一直掉",
        "住的地方信号差得连微信都发不出去", "房间里要站到窗户边才有信号",
    ],
    "上网速度/移动数据": [
        "网速慢得像蜗牛，刷个视频一直转圈", "5G套餐用着比4G还慢", "晚上八点以后流量基本用不了",
        "流量明明还有却上不了网", "打游戏延迟三四百", "测速只有几百K", "流量用得特别快，一天几个G不知道去哪了",
        "开了热点电脑根本打不开网页", "说好的不限量，用了20G就被限速了", "网页半天打不开",
        "下载个软件要半个小时", "视频通话卡成PPT", "流量显示用完了可我根本没怎么用",
        "地铁里手机上网完全刷不动", "达量降速以后慢到什么都干不了",
    ],
    "宽带/家宽": [
        "家里宽带三天两头断网", "光猫一直亮红灯", "宽带报修三天了还没人上门", "百兆宽带测速只有十几兆",
        "晚上看电视盒子一直卡", "装宽带约了一周还没人来装", "宽带一到晚上就掉线", "WiFi信号穿不了墙，师傅说只能加钱",
        "宽带到期没通知就停了", "搬家移机拖了半个月", "宽带师傅上门态度恶劣还要收材料费",
        "网课的时候宽带断了好几次", "光纤被人剪断了一直没人修", "路由器是移动送的，用了两个月就坏了",
        "千兆宽带实际跑不到两百兆", "宽带拆机办了三次都没办下来",
    ],
    "资费计费/乱扣费": [
        "这个月话费莫名其妙多扣了五十多", "每个月都被扣了一笔看不懂的费用", "没用什么流量却扣了一百多",
        "停机了还在扣月租", "账单上多了一个我从没办过的包", "余额突然少了三十块",
        "国际漫游我根本没出国却收了钱", "充的话费到账少了", "套餐外流量费贵得离谱，一下扣了两百",
        "销户了还在继续扣费", "家里老人的卡每个月被扣十几块", "明明是包月的怎么又单独扣了一次",
        "话费清单跟实际用的对不上", "欠费两块钱就停机，还收了滞纳金",
    ],
    "套餐/合约": [
        "办套餐时说的优惠到手全变了", "合约期还没到就涨了套餐费", "想改低档套餐一直不让改",
        "老用户的套餐比新用户贵一倍", "签的合约机到期后自动续了两年", "说好的副卡免费结果每月收费",
        "宽带融合套餐拆不开，只能一起退", "套餐降档要收违约金", "营业员说保底消费只有一年，结果是三年",
        "流量包到期自动续订了", "套餐里送的权益根本领不到", "改了套餐下个月才生效却按新套餐扣钱",
        "老套餐被强制升级", "低消协议是签字前没说清楚的",
    ],
    "增值业务/SP定制": [
        "手机莫名其妙开通了彩铃", "被订了好几个视频会员，每月扣钱", "收到一条短信就被定制了业务",
        "老人机被开通了一堆增值业务", "咪咕会员我从来没开过却一直扣", "手机报每个月扣三块，我根本没订",
        "来电提醒、彩铃、游戏包全是默认开的", "点了一个广告链接就扣了十块的业务费",
        "退订回复了好几次TD还是在扣", "云盘会员自动续费了", "不知道什么时候开了个流量加速包",
        "一堆SP业务每月扣二三十",
    ],
    "业务办理/销户携号转网": [
        "想携号转网一直说不符合条件", "销户要回开户地办理", "携号转网授权码发不过来",
        "注销号码被推来推去", "过户要跑三趟营业厅", "补卡要求本人到场，我人在外地",
        "副卡取消不了", "宽带销户说要先把手机号套餐改了", "实名登记改不了",
        "停机保号办不了", "转网被告知有合约限制，但我从没签过", "网上营业厅办业务一直报错",
        "线上办不了，线下又说要预约",
    ],
    "服务态度/营业厅": [
        "营业厅排了一个小时的队", "营业员态度很差，问两句就不耐烦", "工作人员一直推销不听我说话",
        "营业厅只开一个窗口", "装维师傅爽约三次", "营业员给老人乱办业务", "大厅里工作人员在玩手机",
        "营业员说这事不归她管", "到营业厅被告知要网上办，网上又说去营业厅", "营业厅提前关门",
        "上门师傅乱收费", "客户经理电话永远打不通",
    ],
    "10086热线": [
        "打10086转人工要等半个小时", "10086客服一直说已经反馈，就是没下文", "人工客服打不进去",
        "10086说会回电，三天了没人回", "客服答非所问，一直念话术", "在线客服都是机器人",
        "10086挂了我电话", "每次打10086都要重新说一遍问题", "客服承诺的退款一直没到账",
        "10086工单显示已处理，可问题还在", "客服让我等48小时，等了一周",
    ],
    "营销宣传": [
        "天天接到推销套餐的电话", "营销短信一天好几条", "说办宽带送手机，结果是分期",
        "宣传说免费升级，结果要签合约", "营业员骗我说不升级就停机", "推销电话拒绝了还一直打",
        "充话费送的礼品根本没有", "广告说的5G不限速根本做不到", "所谓的0元购机其实要绑定三年",
        "客服电话里推销时说的跟合同不一样", "退订营销短信也没用",
    ],
    "终端/卡": [
        "新换的5G卡读不出来", "手机卡突然无服务，换手机也不行", "合约机用了两个月就黑屏",
        "卡被锁了PUK码不知道", "物联网卡说是不限量结果停了", "eSIM开通不了", "手表卡激活不了",
        "换卡后通讯录全没了", "营业厅送的手机质量太差", "补办的卡第二天又坏了",
        "光猫和机顶盒经常死机",
    ],
}
PROBLEMS["其他"] = ["电话号码被标记成了骚扰电话", "收到冒充客服的诈骗短信", "积分兑换的东西一直没发货",
                  "发票开不出来", "积分莫名其妙清零了", "个人信息好像被泄露了，一直接到骚扰电话"]

QUESTIONS: dict[str, list[str]] = {
    "网络覆盖/信号": ["家里信号不好能申请装个信号放大器吗", "新小区什么时候能覆盖5G", "农村信号弱可以反映给谁",
                 "信号差是手机问题还是基站问题", "地下室没信号有什么办法"],
    "上网速度/移动数据": ["流量用超了会怎么收费", "怎么查剩余流量", "5G要换卡吗", "热点共享有限制吗",
                    "流量包可以叠加吗", "夜间流量是几点到几点"],
    "宽带/家宽": ["宽带怎么报修", "宽带移机要多久", "千兆宽带要换光猫吗", "宽带到期怎么续费", "宽带能不能单独办"],
    "资费计费/乱扣费": ["怎么查话费详单", "这笔费用是什么意思", "怎么查每个月扣了哪些钱", "话费怎么开发票",
                   "停机保号每月收多少钱"],
    "套餐/合约": ["有没有便宜点的套餐推荐", "怎么改套餐", "合约到期了怎么办", "亲情网怎么加人",
               "学生有什么优惠套餐", "副卡怎么办理"],
    "增值业务/SP定制": ["怎么查开了哪些增值业务", "彩铃怎么取消", "视频会员怎么退订", "怎么一次性关掉所有增值业务"],
    "业务办理/销户携号转网": ["携号转网需要什么条件", "销户可以异地办吗", "补卡要带什么证件", "过户怎么办理",
                     "停机保号怎么办"],
    "服务态度/营业厅": ["附近营业厅几点关门", "营业厅周末上班吗", "可以预约上门办理吗", "哪个营业厅人少一点"],
    "10086热线": ["10086怎么转人工", "10086几点有人工服务", "在线客服在哪里找", "打10086要收费吗"],
    "营销宣传": ["办宽带送手机的活动还有吗", "这个充值送话费的活动是真的吗", "怎么拒收营销短信"],
    "终端/卡": ["卡坏了怎么补", "eSIM手表怎么开通", "PUK码在哪里查", "旧卡能不能升级5G卡"],
    "其他": ["积分怎么兑换", "发票在哪里开", "怎么查名下有几张卡"],
}

PRAISE: dict[str, list[str]] = {
    "网络覆盖/信号": ["山顶上都有满格信号，厉害", "新建的基站开通后家里信号好多了", "地铁里信号也很稳"],
    "上网速度/移动数据": ["5G网速真快，下载一部电影只要几十秒", "流量够用，网速稳定", "测速跑到了八百兆"],
    "宽带/家宽": ["宽带装得很快，师傅很专业", "换了千兆宽带以后家里网很稳", "报修后两小时就修好了"],
    "资费计费/乱扣费": ["多扣的钱已经退回来了，处理很快", "账单清清楚楚"],
    "套餐/合约": ["新套餐挺划算的", "客服帮我换了个更便宜的套餐", "老用户优惠很实在"],
    "服务态度/营业厅": ["营业厅的小姐姐服务很好，耐心给我讲了半天", "营业厅工作人员态度很好",
                   "上门装维的师傅很负责", "客户经理很热心"],
    "10086热线": ["10086客服很耐心，问题一次就解决了", "客服回访很及时"],
    "业务办理/销户携号转网": ["补卡十分钟就办好了", "线上就把过户办完了，很方便"],
    "终端/卡": ["营业厅免费给换了5G卡", "合约机质量不错"],
}

GRUMBLES = ["真的服了", "太坑了吧", "无语死了", "垃圾", "什么破网", "心累", "气死我了", "简直离谱", "烂透了",
            "还不如不用", "受够了", "坑爹", "真恶心", "太差劲了", "这服务也是没谁了", "吐了", "醉了",
            "一言难尽", "离谱到家", "佛了", "忍很久了", "好烦啊", "差评", "太让人失望了", "闹心",
            "越来越差了", "呵呵了", "搞什么鬼"]
ACTS = ["我要投诉", "已经打10086投诉了", "要求退还多扣的费用", "要求赔偿损失", "必须给我一个说法",
        "投诉了三次都没人处理", "申请退费被拒绝，继续投诉", "强烈要求尽快处理", "我已经在10086提交了投诉工单",
        "请给我退钱", "要求全额退款", "这事必须有人负责", "我要求取消并退回所有费用", "打了客服投诉，要求赔偿",
        "今天去营业厅投诉了", "再次投诉，要求解决", "要求补偿这几天的损失", "请相关负责人联系我处理",
        "投诉编号都有，就是没人管", "我坚决要求退订并退款", "已经投诉，等回复", "要求按合同赔偿"]
ESCALATIONS = ["已经向工信部申诉了", "明天就打12300投诉", "准备找媒体曝光", "大家帮忙转发一下",
               "已经打了12315", "准备请律师起诉", "已经联系了电视台记者", "准备去通管局投诉",
               "已经打了市长热线", "再不解决就去工信部", "我们小区准备集体维权", "已经在领导留言板留言了",
               "找消协投诉了", "要去法院起诉", "已经向通信管理局反映", "发到网上让大家评评理，求扩散",
               "已经投诉到工业和信息化部", "315见", "再不处理就找记者", "已经在人民网留言"]
NEG_ESCALATE = ["我不会去工信部投诉的", "也不是要投诉", "没想过要曝光", "不打算找12315", "不是要去投诉",
                "倒不至于去工信部", "我也不想闹到媒体那去", "没必要打12300"]
SARCASM = ["真是太棒了", "服务真好啊", "真厉害", "可真行", "太贴心了", "真是良心企业", "给你点个赞"]
SARCASM_END = ["谢谢你全家", "呵呵", "真是谢谢了", "笑死", "我谢谢你", "666"]
QUESTION_COMPLAINTS = ["凭什么{p}？", "为什么{p}？有没有人管管", "{p}，这合理吗？", "{p}，到底还管不管？",
                       "{p}，谁来负责？", "{p}，你们是怎么做事的？"]
QUESTION_WHERE = ["{p}，请问去哪里投诉有用？", "{p}，这种情况能投诉吗？", "{p}，怎么才能退费？"]
QUESTION_ESCALATE = ["{p}，打12300投诉有用吗？", "{p}，请问工信部怎么申诉？", "{p}，能找媒体曝光吗？"]

OPENERS = ["", "", "", "我在{place}，", "{place}这边，", "人在{place}，", "{place}的用户，", "坐标{place}，",
           "家住{place}，", "", "今天", "最近", "这几天", "上个月开始"]
DURATIONS = ["", "", "好几天了", "已经一个多月了", "半年了", "天天这样", "这是第三次了", "反映了很多次",
             "持续了两个星期", ""]

# --- confusers --------------------------------------------------------------------------------
NOT_OPERATOR = [
    "这个移动硬盘读写速度挺快的", "移动硬盘坏了，里面的照片全没了，要求京东退货", "买了个移动电源，充电很慢，垃圾",
    "移动支付太方便了", "这个APP的移动端太难用了", "我们公司推行移动办公", "把桌子往左移动一下",
    "移动互联网时代的营销策略", "移动硬盘盒退货被拒，我要投诉商家", "移动空调噪音太大，差评",
    "物体的移动速度与时间的关系", "移动电源买来就是坏的，我要找315", "移动端页面加载太慢",
    "台风路径向西移动", "移动硬盘的数据恢复要多少钱", "移动床位不够，医院太挤",
]
COMPETITOR = [
    "联通的宽带太垃圾了，天天断网", "电信扣了我五十块钱，投诉了也没用", "广电的卡信号太差",
    "联通客服态度太差了", "电信宽带报修三天没人来", "联通乱扣费，我要去工信部投诉", "电信的套餐越来越贵",
    "联通5G网速还可以", "电信营业厅服务挺好", "广电192号段什么时候覆盖农村",
]
OFFTOPIC = [
    "这家奶茶店的服务态度太差了", "快递三天都没送到，太慢了", "今天天气不错，去爬山了", "物业费又涨了，真坑",
    "外卖送错了还不给退钱", "这部电影太好看了", "小区停电一整天", "银行扣了我年费，要求退款",
    "网购的衣服质量太差了", "医院排队排了三个小时", "房东不退押金，我要起诉", "公交车又晚点了",
]
PRESS = [
    "记者从{op}获悉，{place}今年已新建5G基站一千多个", "{op}在{place}开展“5G+智慧农业”示范项目",
    "{op}举办客户开放日活动，邀请用户走进机房", "{place}{op}推出老年人专属服务窗口",
    "{op}发布防诈骗提醒：10086不会要求提供验证码", "{op}完成{place}农村地区光纤网络全覆盖",
    "{op}与{place}政府签署数字经济合作协议", "{op}为高考考场提供通信保障",
]
ADS = ["出售{op}靓号，尾号8888，有意私聊", "代办{op}宽带，新装送三个月", "{op}流量卡，29元100G，包邮",
       "收购{op}积分，高价回收"]

# --- style wrappers ---------------------------------------------------------------------------
WEIBO = ["#{tag}# {body} @湖南移动", "{body} [怒][怒]", "{body} @中国移动10086", "#{tag}#{body}", "{body}",
         "{body} [doge]", "转发微博 //{body}"]
TIEBA = ["{body}\n有没有遇到一样情况的？", "{body}", "楼主{body}", "{body}\n顶一下", "吧友们，{body}",
         "{body}\n求助吧里大神", "{body}，来吧里说一下"]
COMMENT = ["{body}", "同感，{body}", "+1 {body}", "楼上说得对，{body}", "我也是，{body}", "{body}。"]
TAGS = ["湖南移动", "中国移动", "移动", "{city}"]


def _split(items: list, held_out: bool) -> list:
    part = [x for i, x in enumerate(items) if (i % 5 == 2) == held_out]
    return part or items


class Composer:
    """Composes labeled posts from the fragment pools of one split."""

    def __init__(self, rng: random.Random, held_out: bool, cities: dict[str, list[str]]):
        self.rng, self.held_out, self.cities = rng, held_out, cities

    def pick(self, items: list):  # type: ignore[no-untyped-def]
        return self.rng.choice(_split(items, self.held_out))

    def place(self) -> tuple[str, str]:
        city = self.rng.choice(list(self.cities))
        return city, self.rng.choice(self.cities[city])

    def op(self, city_short: str) -> str:
        return self.pick(OPS).replace("{city}", city_short)

    def problem(self, category: str | None = None) -> tuple[str, str]:
        category = category or self.rng.choice(list(PROBLEMS))
        return category, self.pick(PROBLEMS[category])

    def post(self, kind: str) -> dict:
        """One post of a kind: praise, inquiry, grumble, complaint, escalation, or a hard case."""
        r = self.rng
        city, place = self.place()
        short = city if r.random() < 0.6 else ""
        op = self.op(short)
        mention_city = r.random() < 0.65
        opener = self.pick(OPENERS) if mention_city else ""
        if "{place}" not in opener and mention_city:
            opener = f"{place}{self.pick(['这边', '', '的', '地区'])}" + ("，" if r.random() < 0.5 else "")
        opener = opener.replace("{place}", place)
        cats: list[str] = []
        severity, relevant, note = 0, True, kind

        def probs(n: int = 1) -> str:
            chosen = []
            for _ in range(n):
                c, p = self.problem()
                if c not in cats:
                    cats.append(c)
                chosen.append(p)
            return "，".join(chosen)

        dur = self.pick(DURATIONS)
        dur = f"，{dur}" if dur else ""
        n = 2 if r.random() < 0.2 else 1
        if kind == "grumble":
            body = f"{opener}{op}{probs(n)}{dur}，{self.pick(GRUMBLES)}"
            if r.random() < 0.3:
                body = f"{self.pick(GRUMBLES)}！{body}"
            severity = 2
        elif kind == "complaint":
            body = f"{opener}{op}{probs(n)}{dur}，{self.pick(ACTS)}"
            if r.random() < 0.4:
                body += f"，{self.pick(GRUMBLES)}"
            severity = 3
        elif kind == "escalation":
            body = f"{opener}{op}{probs(n)}{dur}"
            if r.random() < 0.5:
                body += f"，{self.pick(ACTS)}"
            body += f"，{self.pick(ESCALATIONS)}"
            severity = 4
        elif kind == "inquiry":
            c = r.choice(list(QUESTIONS))
            cats.append(c)
            body = f"{opener}{self.pick(['请问', '问一下', '求助：', '', '想咨询一下，'])}{op}{self.pick(QUESTIONS[c])}？"
            severity = 1
        elif kind == "praise":
            c = r.choice(list(PRAISE))
            cats.append(c)
            body = f"{opener}{op}{self.pick(PRAISE[c])}，{self.pick(['点赞', '好评', '满意', '感谢', '给个赞', '必须表扬'])}"
            severity = 0
        elif kind == "resolved":
            c, p = self.problem()
            cats.append(c)
            body = (f"之前{op}{p}，{self.pick(['打了10086', '投诉过', '去营业厅反映了'])}，"
                    f"{self.pick(['第二天就解决了', '很快处理好了', '已经退回来了'])}，{self.pick(['感谢', '点赞', '好评'])}")
            severity = 0
        elif kind == "neg_inquiry":
            c = r.choice(list(QUESTIONS))
            cats.append(c)
            body = f"{self.pick(NEG_ESCALATE)}，就想问问{op}{self.pick(QUESTIONS[c])}"
            severity = 1
        elif kind == "neg_grumble":
            body = f"{self.pick(NEG_ESCALATE)}，就是吐槽一下{op}{probs()}，{self.pick(GRUMBLES)}"
            severity = 2
        elif kind == "sarcasm":
            body = f"{op}{self.pick(SARCASM)}，{probs()}，{self.pick(SARCASM_END)}"
            severity = 2
        elif kind == "question_complaint":
            body = opener + self.pick(QUESTION_COMPLAINTS).format(p=f"{op}{probs()}")
            severity = 2
        elif kind == "question_where":
            body = opener + self.pick(QUESTION_WHERE).format(p=f"{op}{probs()}")
            severity = 1  # docs/labeling.md: asking where to complain is a question
        elif kind == "question_escalate":
            body = opener + self.pick(QUESTION_ESCALATE).format(p=f"{op}{probs()}")
            severity = 1  # asked-about escalation does not count; the rest is a question
        elif kind == "switch":
            body = f"{opener}{op}{probs()}，{self.pick(['准备携号转网到联通了', '受不了了，转电信', '合约一到期就转网'])}"
            severity = 2
        elif kind == "competitor":
            body = opener + self.pick(COMPETITOR)
            relevant = False
        elif kind == "not_operator":
            body = opener + self.pick(NOT_OPERATOR)
            relevant = False
        elif kind == "offtopic":
            body = opener + self.pick(OFFTOPIC)
            relevant = False
        elif kind == "press":
            body = self.pick(PRESS).replace("{op}", op if r.random() < 0.5 else "湖南移动").replace("{place}", place)
        elif kind == "ad":
            body = self.pick(ADS).replace("{op}", op)
        else:
            raise ValueError(kind)
        style, text = self.style(body, kind, severity if relevant else -1, op, place)
        if style == "news":  # a reporter's account of someone's complaint: no intent of its own
            severity = 0
        label_city = city if place in text or (short and short in text) else None
        if not relevant:
            cats, severity = [], 0
        return {"text": text, "severity": severity, "relevant": relevant,
                "categories": cats, "city": label_city, "style": style, "note": note}

    def style(self, body: str, kind: str, severity: int, op: str, place: str) -> tuple[str, str]:
        r = self.rng
        if kind == "press":
            return "news", body + "。"
        if severity >= 3 and r.random() < 0.25:
            demand = self.pick(["退还费用", "赔偿损失", "取消业务并退款", "尽快修复", "给出合理解释"])
            head = body.split("，")[0][:20]
            return "heimao", f"【投诉对象】湖南移动\n【投诉问题】{head}\n【投诉要求】{demand}\n{body}"
        if severity == 4 and r.random() < 0.2:
            return "news", (f"近日，{place}市民{self.pick(['王先生', '李女士', '张先生', '刘女士'])}向本报反映："
                            f"“{body}”。记者就此联系了{op.strip('的')}，截至发稿未获回复。")
        choice = r.random()
        if severity < 0:  # not about the operator: no wrapper may add an operator mention
            return self.rng.choice(["weibo", "tieba", "comment", "forum"]), self.pick(
                ["{body}", "{body} [怒]", f"#{place}# {{body}}", "{body}\n有没有人知道", "+1 {body}"]
            ).format(body=body)
        if choice < 0.3:
            tag = self.pick(TAGS).replace("{city}", place)
            return "weibo", self.pick(WEIBO).format(body=body, tag=tag)
        if choice < 0.55:
            return "tieba", self.pick(TIEBA).format(body=body)
        if choice < 0.75:
            return "comment", self.pick(COMMENT).format(body=body)
        return "forum", body


KINDS = {  # kind -> share of posts
    "grumble": 14, "complaint": 14, "escalation": 11, "inquiry": 12, "praise": 7, "resolved": 2,
    "neg_inquiry": 3, "neg_grumble": 3, "sarcasm": 4, "question_complaint": 4, "question_where": 2,
    "question_escalate": 2, "switch": 2, "competitor": 5, "not_operator": 6, "offtopic": 3,
    "press": 3, "ad": 2,
}


def cities() -> dict[str, list[str]]:
    """City -> names a post may use for it (the city itself and its aliases)."""
    data = yaml.safe_load(REGIONS.read_text(encoding="utf-8"))
    return {c: [c, c, *spec.get("aliases", [])] for c, spec in data["cities"].items()}


def build(n: int, held_out: bool, seed: int) -> list[dict]:
    """`n` composed posts from the train (or held-out) fragment pools."""
    rng = random.Random(seed)
    composer = Composer(rng, held_out, cities())
    kinds, weights = zip(*KINDS.items())
    rows, seen = [], set()
    while len(rows) < n:
        row = composer.post(rng.choices(kinds, weights)[0])
        if row["text"] not in seen:
            seen.add(row["text"])
            rows.append(row)
    return rows


SHORT = {"信号": "网络覆盖/信号", "网速": "上网速度/移动数据", "宽带": "宽带/家宽", "扣费": "资费计费/乱扣费",
         "套餐": "套餐/合约", "增值": "增值业务/SP定制", "办理": "业务办理/销户携号转网",
         "服务": "服务态度/营业厅", "热线": "10086热线", "营销": "营销宣传", "终端": "终端/卡", "其他": "其他"}


def handwritten() -> list[dict]:
    """The fully hand-written posts of handwritten.tsv; every fifth (from the third) is held out."""
    rows = []
    lines = [line for line in (HERE / "handwritten.tsv").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    for i, line in enumerate(lines):
        severity, relevant, cats, city, style, text = line.split("\t", 5)
        rows.append({"text": text.replace("\\n", "\n"), "severity": int(severity),
                     "relevant": relevant == "1",
                     "categories": [] if cats == "-" else [SHORT[c] for c in cats.split(",")],
                     "city": None if city == "-" else city, "style": style, "note": "hand-written",
                     "split": "test" if i % 5 == 2 else "train"})
    return rows


def main() -> None:
    with (HERE / "handwritten.jsonl").open("w", encoding="utf-8") as out:
        rows = handwritten()
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"handwritten.jsonl: {len(rows)} posts")
    for name, n, held_out, seed in (("composed_train", 2400, False, 4), ("composed_test", 600, True, 5)):
        path = HERE / f"{name}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for row in build(n, held_out, seed):
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{path.name}: {n} posts")


if __name__ == "__main__":
    main()
