from kuulas.clock import utcnow
from kuulas.scheduler import job

from . import digest, services


@job("follow.digest", seconds=3600)
def weekly_digest(now=None):
    return digest.send_digests(now or utcnow())


@job("follow.expire", seconds=3600)
def expire_unconfirmed(now=None):
    return services.expire_unconfirmed(now or utcnow())
