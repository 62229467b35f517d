namespace Backprop.NN.Losses;

/// <summary>Mean absolute error, |x − y|, reduced (torch.nn.L1Loss).</summary>
/// <param name="reduction">How per-element losses are combined.</param>
public sealed class L1Loss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        RequireSameShape("L1Loss", input, target);
        return Reduce((input - target).Abs());
    }
}
