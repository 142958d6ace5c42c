"""The HTTP and WebSocket server (FastAPI on uvicorn)."""
