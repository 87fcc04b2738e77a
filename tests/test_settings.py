"""Production settings come from the environment and pass Django's deployment checks."""

import os
import subprocess
import sys


def run(args, env, cwd):
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG")}
    base.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run([sys.executable, "-m", "rainforest", *args], env={**base, **env}, cwd=cwd,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {"SECRET_KEY": "p" * 20 + "Q7#x" * 10, "ALLOWED_HOSTS": "rainforest.example.gov.cn",
           "RAINFOREST_VAR_DIR": str(tmp_path)}  # fmt: skip
    result = run(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run(["check"], {"RAINFOREST_VAR_DIR": str(tmp_path)}, tmp_path)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_debug_accepts_only_true_or_false(tmp_path):
    result = run(["check"], {"DEBUG": "maybe", "SECRET_KEY": "x" * 50, "RAINFOREST_VAR_DIR": str(tmp_path)}, tmp_path)
    assert result.returncode != 0 and "DEBUG must be true or false" in result.stderr


def test_own_and_vendored_assets_are_found_locally():
    from django.contrib.staticfiles import finders

    assert finders.find("rainforest/site.css")


def test_pages_load_no_asset_from_the_internet(client, db):
    import re

    for url in ("/", "/accounts/login/", "/api/v1/docs", "/exchange/", "/policy/check/"):
        html = client.get(url).content.decode()
        external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", html)
        assert external == [], (url, external)
