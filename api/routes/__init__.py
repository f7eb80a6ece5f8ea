"""HTTP routes: parse, authorise, call one service function, shape the response."""
