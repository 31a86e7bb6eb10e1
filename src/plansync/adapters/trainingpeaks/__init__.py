"""TrainingPeaks through its Partner API: the adapter, its HTTP client, sign-in
and the workout payload."""

from plansync.adapters.trainingpeaks.adapter import TrainingPeaksAdapter

__all__ = ["TrainingPeaksAdapter"]
