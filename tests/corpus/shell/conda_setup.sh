#!/usr/bin/env bash
# Create the analysis environment.
source "$HOME/miniconda3/etc/profile.d/conda.sh"
conda create -y -n analysis python=3.11
conda activate analysis
pip install -r requirements.txt
conda deactivate
pip3 install jupyterlab  # expect: VG305
