from kuulas.clock import utcnow
from kuulas.scheduler import job

from . import services


@job("outcomes.publish_due", seconds=60)
def publish_due(now=None):
    return {"published": services.publish_due(now or utcnow())}
