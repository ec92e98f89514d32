"""The risk service's pure domain: rules, aggregates and events, no I/O.

credit_code (GB 32100) · grading_types / grading_rules / grading / grading_label (HJ 941) ·
waste_codes / catalogue / catalogue_check (国家危险废物名录) · licences · manifest_number /
manifest_lines / manifests (转移联单) · storage · indicators (plan indicators 11, 12) ·
incident_rules / incidents · emergency_plans · seeds / enterprises · events / errors / aggregate /
clock / quantities / geo.
"""
