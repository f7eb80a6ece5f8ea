"""planalign's faces: the command line. The library lives in `rulesengine`, the service in `api`."""
