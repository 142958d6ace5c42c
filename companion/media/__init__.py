"""Media: decoding, resampling and speech segmentation (audio.py, vad.py) and the call (rtc.py)."""
