"""The newcomer's path on the bundled sample: load, train, ask for SMP PGRI 6 Surabaya."""

from __future__ import annotations

from matcher.cli import prepare_demo
from matcher.engine import Engine


def test_sample_suggests_kuanta_to_smp_pgri_6(engine: Engine) -> None:
    prepare_demo(engine, quiet=True)
    assert engine.store.counts()["schools"] >= 1000
    res = engine.suggest("20532541", k=10, lang="id")
    assert res["school_name"] == "SMP PGRI 6 Surabaya"
    by_id = {s["partner_id"]: s for s in res["suggestions"]}
    assert "P-KUANTA" in by_id
    kuanta = by_id["P-KUANTA"]
    assert "pendampingan kepala sekolah" in kuanta["explanation"]
    assert "daring (online)" in kuanta["explanation"]
    accounts = {u.email: u for u in engine.accounts.list()}  # the README's demo logins
    assert accounts["kepsek@smppgri6.demo"].school_id == "20532541"
    assert accounts["mitra@kuanta.demo"].partner_id == "P-KUANTA"
    assert accounts["dinas@surabaya.demo"].regency == "Kota Surabaya"
    assert engine.accounts.authenticate("kepsek@smppgri6.demo", "sekolah-demo").role == "school"
    prepare_demo(engine, quiet=True)  # a second start neither reloads nor retrains
    assert len(engine.models.versions()) == 1
