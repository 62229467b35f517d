namespace Backprop.NN.Losses;

/// <summary>How a loss combines the per-element (or per-sample) losses.</summary>
public enum Reduction
{
    /// <summary>The mean (PyTorch's default).</summary>
    Mean,

    /// <summary>The sum.</summary>
    Sum,

    /// <summary>No reduction: one loss per element or sample.</summary>
    None,
}
