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

    /// <summary>The sum divided by the batch size (the first dimension): KLDivLoss's true mean, PyTorch's 'batchmean'.</summary>
    BatchMean,
}
