"""An event's sentences: the first post's words, size and span, the main city, and quotes that
are pieces of their posts' own text (each recomputes from the posts it cites)."""

from __future__ import annotations

from briefings.config import BriefingsConfig
from briefings.model import recompute
from briefings.quotes import event_sentences, excerpt, representative
from tests.briefings.conftest import wave


def test_an_excerpt_is_the_first_line_cut_and_part_of_the_text():
    post = wave(1)[0]
    post.content = "\n  第一行：宽带断网三天\n第二行"
    assert excerpt(post, 6) == "第一行：宽带" and excerpt(post, 6) in post.text


def test_the_first_post_leads_then_the_most_severe():
    members = wave(5)
    chosen = representative(members, 3)
    assert chosen[0] is members[0] and chosen[1] is members[2]  # members[2] is the tier-4 post
    assert len(chosen) == 3


def test_every_sentence_of_an_event_recomputes_from_its_cited_posts():
    members = wave(6)
    sentences = event_sentences(BriefingsConfig(quotes=2), members, "事件一")
    posts = {p.id: p for p in members}
    assert sentences[0].text.startswith("事件一：「") and "相似投诉 6 条" in sentences[0].text
    assert "主要涉及株洲（6 条）" in sentences[1].text
    assert [s.text.startswith("代表性原话") for s in sentences[2:]] == [True, True]
    for sentence in sentences:
        for claim in sentence.claims:
            assert recompute(claim, posts) == claim.value, (sentence.text, claim.kind)
