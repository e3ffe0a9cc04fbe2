from ..clock import utcnow
from ..scheduler import job
from . import services


@job("mail.send_due", seconds=20)
def send_due_mail(now=None):
    now = now or utcnow()
    services.recover_stuck(now)   # saved with the sender's first claim (or by run_job)
    return services.send_due(now=now)
