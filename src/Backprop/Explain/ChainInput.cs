namespace Backprop.Explain;

/// <summary>One input x of a node z: its value, the local derivative ∂z/∂x, and what it receives, dL/dx = dL/dz · ∂z/∂x.</summary>
/// <param name="Name">The input's name.</param>
/// <param name="Value">Its value.</param>
/// <param name="LocalDerivative">∂z/∂x (for tensors: the gradient x receives when dL/dz is all ones); null if x needs no gradient.</param>
/// <param name="Received">dL/dx through this node alone; null if x needs no gradient.</param>
public sealed record ChainInput(string Name, Tensor Value, Tensor? LocalDerivative, Tensor? Received);
