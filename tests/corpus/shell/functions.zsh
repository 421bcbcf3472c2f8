# zsh helpers sourced from .zshrc
mkvenv() {
  python3 -m venv "${1:-.venv}" && source "${1:-.venv}/bin/activate"
}

upgrade_tools() {
  pip install --upgrade --user pip setuptools  # expect: VG302
}

alias pipi='pip install'
