namespace Backprop.NN.Losses;

/// <summary>
/// Binary cross-entropy of probabilities in [0, 1] against targets in [0, 1] (torch.nn.BCELoss), each log
/// clamped at −100 as PyTorch does, optionally weighted per element. For logits use <see cref="BCEWithLogitsLoss"/>.
/// </summary>
/// <param name="reduction">How per-element losses are combined.</param>
/// <param name="weight">A weight that broadcasts to the input, or null.</param>
public sealed class BCELoss(Reduction reduction = Reduction.Mean, Tensor? weight = null) : Loss(reduction)
{
    /// <summary>The per-element weight, or null.</summary>
    public Tensor? Weight { get; } = weight;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        RequireSameShape("BCELoss", input, target);
        var losses = Tensor.BinaryCrossEntropy(input, target);
        return Reduce(Weight is null ? losses : losses * Weight);
    }
}
