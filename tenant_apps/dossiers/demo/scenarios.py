"""The life stories of the demo dossiers: each scenario drives one dossier through the desk, at
instants on the agency's working days (a `Days` of its calendar), reading the appointment the
services gave it. Scenarios of the past end before the day the seeding runs; current ones leave the
dossier open (waiting for assignment, in appraisal, paused, at a department...)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from ..models import Channel

RATINGS = ("satisfied",) * 7 + ("acceptable",) * 2 + ("not_satisfied",)
COMMENTS = {
    "satisfied": "Cán bộ hướng dẫn tận tình, trả kết quả đúng hẹn.",
    "acceptable": "",
    "not_satisfied": "Phải đi lại nhiều lần.",
}
RETURN_METHOD = {Channel.IN_PERSON: "counter", Channel.POST: "post", Channel.ONLINE: "online"}


class Days:
    """The agency's working days before `today` (oldest first), and instants on them."""

    def __init__(self, calendar, today, span=240):
        start = today - timedelta(days=span)
        self.days = [
            start + timedelta(days=i)
            for i in range(span)
            if calendar.is_working_day(start + timedelta(days=i))
        ]
        self.tz = timezone.get_default_timezone()

    def __len__(self):
        return len(self.days)

    def at(self, i, hour, minute=0):
        return timezone.make_aware(datetime.combine(self.days[i], time(hour, minute)), self.tz)

    def index_of(self, instant):
        """The last working day on or before `instant`'s date (its index)."""
        day = timezone.localtime(instant, self.tz).date()
        lo, hi = 0, len(self.days)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.days[mid] <= day:
                lo = mid + 1
            else:
                hi = mid
        return lo - 1


class Story:
    """One dossier's run: the desk, its case, the working days and a deterministic random source."""

    def __init__(self, desk, case, days, rnd, *, channel, citizen=None, key=None, department=None):
        self.desk, self.case, self.days, self.rnd = desk, case, days, rnd
        self.channel, self.citizen, self.key, self.department = channel, citizen, key, department
        self.dossier = None

    # -- shared steps ------------------------------------------------------------------------------
    def intake(self, i):
        """Received on working day i (in the morning; online: submitted the evening before)."""
        if self.channel == Channel.ONLINE:
            self.desk.submit_online(
                self.case, self.days.at(i - 1, 20, self.rnd.randrange(60)), self.citizen, self.key
            )
            self.dossier = self.desk.accept(self.case, self.days.at(i, 8, self.rnd.randrange(10, 50)))
        else:
            when = self.days.at(i, self.rnd.choice((8, 9, 10)), self.rnd.randrange(60))
            self.dossier = self.desk.receive(self.case, when, channel=self.channel)
        return self.dossier

    def due_index(self):
        return self.days.index_of(self.dossier.due_at)

    def assign(self, i, hour=14):
        self.dossier = self.desk.assign(self.case, self.days.at(i, hour, self.rnd.randrange(30)))

    def result_and_return(self, i, *, returned=True, rate=True, on_time=True):
        """The result on working day i (by the appointment when `on_time`), returned soon after."""
        when = self.days.at(i, 15, self.rnd.randrange(40))
        if on_time:
            when = min(when, self.dossier.due_at - timedelta(minutes=self.rnd.randrange(15, 60)))
        self.dossier = self.desk.result(self.case, when, f"{self.case.code}/KQ")
        if returned:
            self.give_back(min(i + self.rnd.choice((0, 1, 1, 2)), len(self.days) - 1), rate=rate)

    def give_back(self, i, rate=True):
        when = self.days.at(i, 16, self.rnd.randrange(10, 50))
        self.dossier = self.desk.give_back(self.case, when, method=RETURN_METHOD[self.channel])
        if rate and self.rnd.random() < 0.6:
            value = self.rnd.choice(RATINGS)
            self.desk.rate(self.case, when + timedelta(hours=3), value, COMMENTS[value])

    def on_time_day(self, start):
        """A working day from `start` to the appointment (inclusive), yesterday at the latest."""
        last = len(self.days) - 1
        return min(self.rnd.randint(start, max(start, self.due_index())), last)

    # -- the past ----------------------------------------------------------------------------------
    def returned(self, i):
        self.intake(i)
        self.assign(i)
        self.result_and_return(self.on_time_day(i + 1) if self.due_index() > i else i)

    def late(self, i):
        self.intake(i)
        self.assign(i)
        self.result_and_return(self.due_index() + self.rnd.randint(1, 3), on_time=False)

    def late_apology(self, i):
        self.intake(i)
        self.assign(i)
        due = self.due_index()
        self.dossier = self.desk.apologize(
            self.case, self.days.at(due + 1, 8, 30), new_due=self.days.at(due + 5, 16, 30)
        )
        self.result_and_return(due + self.rnd.randint(2, 4), on_time=False)

    def supplemented(self, i, times=1):
        self.intake(i)
        self.assign(i)
        j = i + 1
        for _n in range(times):
            self.dossier = self.desk.supplement(self.case, self.days.at(j, 9, 15), self.days.at(j + 2, 9, 45))
            j += 3
        self.result_and_return(self.on_time_day(j), on_time=times == 1)

    def two_supplements(self, i):
        self.supplemented(i, times=2)

    def intake_supplement(self, i):
        """Online, incomplete: form 02, resubmitted the next day, then accepted and settled."""
        self.desk.submit_online(self.case, self.days.at(i - 1, 21), self.citizen, self.key)
        self.desk.intake_supplement(self.case, self.days.at(i, 8, 20), self.days.at(i + 1, 10))
        self.dossier = self.desk.accept(self.case, self.days.at(i + 1, 10, 30))
        self.assign(i + 1, hour=15)
        self.result_and_return(self.on_time_day(i + 2) if self.due_index() > i + 1 else i + 1)

    def handed_over(self, i, late_at_department=False):
        """Land registration: the commune hands the cadastral step to the department, which decides
        and hands the result back; the commune returns it."""
        self.intake(i)
        self.desk.hand_over(self.case, self.days.at(i, 14), self.department)
        k = i + (self.rnd.randint(9, 12) if late_at_department else self.rnd.randint(2, 6))
        self.desk.department_decides(self.case, self.days.at(k, 10), f"{self.case.code}/GCN")
        self.give_back(k + 1)

    def handed_over_late(self, i):
        self.handed_over(i, late_at_department=True)

    def finished_waiting(self, i):
        self.intake(i)
        self.assign(i)
        self.result_and_return(self.on_time_day(i + 1) if self.due_index() > i else i, returned=False)

    def withdrawn(self, i):
        self.intake(i)
        self.assign(i)
        self.dossier = self.desk.withdraw(self.case, self.days.at(i + 1, 10))

    def stopped(self, i):
        self.intake(i)
        self.assign(i)
        self.desk.supplement(self.case, self.days.at(i + 1, 9))
        self.dossier = self.desk.stop(self.case, self.days.at(i + 12, 10))

    def refused(self, i):
        self.desk.submit_online(self.case, self.days.at(i - 1, 19), self.citizen, self.key)
        self.dossier = self.desk.refuse(self.case, self.days.at(i, 9))

    # -- now ---------------------------------------------------------------------------------------
    def waiting_assignment(self, i):
        self.intake(i)

    def in_appraisal(self, i):
        self.intake(i)
        self.assign(i)

    def awaiting_approval(self, i):
        self.intake(i)
        self.assign(i)
        self.dossier = self.desk.appraise(self.case, self.days.at(min(i + 1, len(self.days) - 1), 10))

    def paused(self, i):
        self.intake(i)
        self.assign(i)
        self.dossier = self.desk.supplement(self.case, self.days.at(min(i + 1, len(self.days) - 1), 9, 30))

    def new_online(self, i):
        self.desk.submit_online(
            self.case, self.days.at(i, 20, self.rnd.randrange(60)), self.citizen, self.key
        )

    def overdue(self, i):
        self.in_appraisal(i)

    def at_department(self, i):
        self.intake(i)
        self.desk.hand_over(self.case, self.days.at(i, 14), self.department)
        self.desk.assign(self.case, self.days.at(min(i + 1, len(self.days) - 1), 9), agency=self.department)


# Stories that a procedure settled within the day or the next may tell; the others need at least three
# working days (a supplement, an apology, work in progress within time).
QUICK = {"returned", "refused", "withdrawn", "new_online", "overdue"}

# name: (weight, past?, days the story needs after the receipt, channels it may use, needs)
SCENARIOS = {
    "returned": (34, True, 2, "any", None),
    "late": (4, True, 5, "desk", None),
    "late_apology": (5, True, 6, "desk", None),
    "supplemented": (7, True, 6, "desk", None),
    "two_supplements": (2, True, 9, "desk", None),
    "intake_supplement": (3, True, 4, "online", None),
    "handed_over": (4, True, 10, "desk", "department"),
    "handed_over_late": (2, True, 14, "desk", "department"),
    "finished_waiting": (3, True, 2, "any", None),
    "withdrawn": (3, True, 2, "any", None),
    "stopped": (1, True, 14, "desk", None),
    "refused": (3, True, 1, "online", None),
    "waiting_assignment": (5, False, 0, "any", None),
    "in_appraisal": (6, False, 0, "any", None),
    "awaiting_approval": (3, False, 1, "any", None),
    "paused": (3, False, 1, "desk", None),
    "new_online": (4, False, 0, "online", None),
    "overdue": (3, False, 0, "desk", None),
    "at_department": (2, False, 1, "desk", "department"),
}
