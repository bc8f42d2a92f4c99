"""Reading GitHub's REST API: bounded, conditional, fail-closed.

``access`` says where the API is and with what token, ``client`` makes the requests (retries,
rate limits, ETags, deadline), ``links`` guards pagination, ``answers`` types GitHub's bodies and
``checks_source`` reads one commit's check runs and statuses.
"""
