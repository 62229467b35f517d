namespace Backprop.Explain;

/// <summary>One tensor of a computation graph, with what a picture shows of it.</summary>
/// <param name="Id">A stable identifier ("n0", "n1", …).</param>
/// <param name="Kind">Parameter, constant or operation.</param>
/// <param name="Title">The parameter's name, "input", or the op's name.</param>
/// <param name="Shape">The shape, as [2,3].</param>
/// <param name="Value">The values, for tensors of at most four elements; else null.</param>
/// <param name="Grad">The gradient, when known and small; else null.</param>
/// <param name="Layer">The longest path from a leaf: leaves are 0.</param>
public sealed record GraphNode(string Id, GraphNodeKind Kind, string Title, string Shape, string? Value, string? Grad, int Layer);
