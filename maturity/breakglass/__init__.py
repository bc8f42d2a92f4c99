"""Break glass: overriding a blocking gate (or a freeze) under the stages file's ``break_glass``.

``policy`` decides whether a request is allowed (stage, gates, reason, actor), ``teams`` asks
GitHub whether the actor is in an ``org/team-slug`` entry, and ``follow_up`` files the GitHub
issue an applied override leaves behind. Nothing is imported here: ``evaluate`` loads the parts
it needs only when an override is asked for.
"""
