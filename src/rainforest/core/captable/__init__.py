"""Cap-table arithmetic (no Django): events, priced rounds with conversions, the fund's deal rules,
fund metrics, Open Cap Format in and out."""
