//! Trust stores and trust policies (REQUIREMENTS I, J, K, L).
