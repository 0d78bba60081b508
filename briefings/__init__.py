"""舆情简报: daily and per-event briefings written extractively from the data, every sentence
resting on claims that cite their posts and the query that finds them.

    build_daily(config, day=None, actor=SYSTEM) -> Briefing     (managers, monitors, admins)
    build_event(config, alert_id, actor=SYSTEM) -> Briefing     an event warning's briefing
    render.to_markdown / to_html / to_text / to_json(briefing)
    model.recompute(claim, posts)   a claim's value again from its cited posts
"""
