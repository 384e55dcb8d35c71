"""The Modal A100 vLLM + llguidance service (built in the modal_app issue)."""
