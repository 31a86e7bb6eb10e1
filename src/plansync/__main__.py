from plansync.cli import run

run()
