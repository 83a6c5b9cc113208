"""The Postfix/Sendmail milter front end (DESIGN 4).

``policy`` is pure: verdict + config -> what to do to the message. ``server``
speaks the milter protocol through pymilter (libmilter) and runs analyses in
a process pool so many SMTP sessions are served at once.
"""
