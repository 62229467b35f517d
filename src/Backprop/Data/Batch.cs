namespace Backprop.Data;

/// <summary>A batch of samples: inputs [B, ...] and targets [B, ...].</summary>
/// <param name="Input">The inputs.</param>
/// <param name="Target">The targets.</param>
public sealed record Batch(Tensor Input, Tensor Target);
