namespace Backprop.Explain;

/// <summary>The chain rule at one node z = op(inputs): dL/dz arrives, and each input receives dL/dz · ∂z/∂x.</summary>
/// <param name="Name">The node's name.</param>
/// <param name="Op">The operation that produced it.</param>
/// <param name="Value">z.</param>
/// <param name="Upstream">dL/dz, the gradient arriving from the loss.</param>
/// <param name="Inputs">The inputs, with their local derivatives and received gradients.</param>
public sealed record ChainStep(string Name, string Op, Tensor Value, Tensor Upstream, IReadOnlyList<ChainInput> Inputs);
