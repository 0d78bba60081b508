"""The keyword dictionary that ships with the code: data files only (see README.md).

A package so that a wheel installs the folder and `nlp.config.SHIPPED_KEYWORDS_DIR` finds it
through importlib.resources wherever the code is installed. The two scripts beside the data
(`build_userdict.py`, `check_keywords.py`) are run as files, never imported by the code.
"""
