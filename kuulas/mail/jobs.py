from ..clock import utcnow
from ..extensions import db
from ..scheduler import job
from . import services


@job("mail.send_due", seconds=20)
def send_due_mail(now=None):
    now = now or utcnow()
    services.recover_stuck(now)
    db.session.commit()
    return services.send_due(now=now)
