"""Realtime: event bus (memory | Redis), outbox relay, websocket hub, and the client the board uses.

Imports only the outbox tables of resources_db; never api (the app factory wires us in).
"""
