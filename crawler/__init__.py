"""The Scrapy project: config-driven spiders extract, pipelines normalise, analyse and store."""
