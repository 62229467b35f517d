namespace Backprop.NN.Losses;

/// <summary>
/// Cross-entropy of logits [N, C] against class indices [N], through a stable log-softmax fused with its
/// backward (<see cref="Tensor.CrossEntropy(Tensor, Tensor, float)"/>); with label smoothing ε the target distribution is
/// (1 − ε) on the class plus ε/C everywhere, as in PyTorch.
/// </summary>
public sealed class CrossEntropyLoss : Loss
{
    /// <summary>Makes the loss.</summary>
    /// <param name="reduction">How per-sample losses are combined.</param>
    /// <param name="labelSmoothing">ε in [0, 1].</param>
    public CrossEntropyLoss(Reduction reduction = Reduction.Mean, float labelSmoothing = 0f)
        : base(reduction)
    {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "CrossEntropyLoss: label smoothing must be in [0, 1].");
        }

        LabelSmoothing = labelSmoothing;
    }

    /// <summary>ε, the label smoothing.</summary>
    public float LabelSmoothing { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        return Reduce(Tensor.CrossEntropy("CrossEntropyLoss", input, target, LabelSmoothing));
    }
}
