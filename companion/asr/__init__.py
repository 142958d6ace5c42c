"""Speech recognition: local faster-whisper models (whisper.py) and per-speaker streams (stream.py)."""
