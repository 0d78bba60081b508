"""Text analysis: tokenising, the keyword dictionary, severity, relevance, category, city, influence."""
