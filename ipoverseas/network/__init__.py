"""The sub-centre network: its working-day calendar (`workcalendar`), its duties, transfers and activities."""
