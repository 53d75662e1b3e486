from veo_desktop.testing.fixtures import make_rig, rig

__all__ = ["make_rig", "rig"]
