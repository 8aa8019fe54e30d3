"""Helpers every layer may use (the bottom layer: imports nothing from skyshield).

``common.files``: atomic writes (a file or a folder whole or not at all) and journal appends;
``common.naming``: the default names of run, study, sweep and live-exercise folders.
"""
