"""The analysis core: one incremental analyzer fed by live calls and files alike."""

from companion.analysis.analyzer import AnalysisContext, Component, SessionAnalyzer, SessionPlan

__all__ = ["AnalysisContext", "Component", "SessionAnalyzer", "SessionPlan"]
