namespace Backprop.NN.Losses;

/// <summary>Binary cross-entropy of logits against targets in [0, 1], stable for large logits.</summary>
/// <param name="reduction">How per-element losses are combined.</param>
public sealed class BCEWithLogitsLoss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        RequireSameShape("BCEWithLogitsLoss", input, target);
        return Reduce(Tensor.BinaryCrossEntropyWithLogits(input, target));
    }
}
