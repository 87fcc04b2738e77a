"""The Seedling programme's arithmetic (no Django): the tier ladder, the selection ranking, money."""
