"""What ptclint's rules call: pure Python over the model's values, one three-valued logic (`tri`).

Each module holds the functions of one concept and lists those rules may call in its `FUNCTIONS`
(CEL name -> function); `ptclint.cel.functions` gathers them into the table CEL evaluation gets.
Nothing here imports the CEL layer: `tri` defines the unknown and error markers, and
`ptclint.cel.functions.wrap` turns them into CEL's values.
"""
