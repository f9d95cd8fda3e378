"""Deep Linking: a teacher places portfolio pages, journals and assessments in her course."""
