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
# 403/429 are not retried at once: BackoffMiddleware slows the source down first.
RETRY_HTTP_CODES = [500, 502, 504, 522, 524, 408]
TOUSU_BACKOFF_ENABLED = True
TOUSU_BACKOFF_HTTP_CODES = [403, 429, 503]
TOUSU_BACKOFF_RETRIES = 3          # retries of one request before it counts as an error
TOUSU_BACKOFF_START = 5.0          # seconds of delay after the first refusal, doubled each time
TOUSU_BACKOFF_MAX = 300.0          # (a Retry-After header raises it up to this)
TOUSU_DETECT_ENCODING = True       # detect the encoding of pages that declare none
TOUSU_NEARDUP_ENABLED = True
TOUSU_NEARDUP_SIMILARITY = 0.6       # estimated Jaccard similarity of character bigrams
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
SPIDER_MIDDLEWARES = {"crawler.middlewares.DeltaFetchMiddleware": 100}
DOWNLOADER_MIDDLEWARES = {
    "crawler.backoff.BackoffMiddleware": 545,     # before RetryMiddleware (550) sees the response
    "crawler.encoding.EncodingMiddleware": 560,
}
ITEM_PIPELINES = {
    "crawler.pipelines.NormalisePipeline": 100,
    "crawler.pipelines.DedupPipeline": 200,
    "crawler.neardup.NearDupPipeline": 250,
    "crawler.pipelines.AnalysePipeline": 300,
    "crawler.pipelines.StorePipeline": 900,
}
EXTENSIONS = {"crawler.extensions.SourceHealth": 500}
