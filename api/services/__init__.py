"""The service layer: what each request does, over a session, in one transaction.

Routes parse and authorise; these functions read and write rows, call the library and commit
once at the end of a write, so a failure anywhere before that commit leaves nothing behind.
"""
