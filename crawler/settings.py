"""Scrapy settings shared by every source (per-source choices come from config.yaml)."""

BOT_NAME = "tousu-radar"
USER_AGENT = "Mozilla/5.0 (compatible; TousuRadar/0.1; +https://github.com/tousu-radar)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
RETRY_ENABLED = True
RETRY_TIMES = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
SPIDER_MIDDLEWARES = {"crawler.middlewares.DeltaFetchMiddleware": 100}
ITEM_PIPELINES = {
    "crawler.pipelines.NormalisePipeline": 100,
    "crawler.pipelines.DedupPipeline": 200,
    "crawler.pipelines.AnalysePipeline": 300,
    "crawler.pipelines.StorePipeline": 900,
}
EXTENSIONS = {"crawler.extensions.SourceHealth": 500}
