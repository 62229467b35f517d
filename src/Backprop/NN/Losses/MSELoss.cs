namespace Backprop.NN.Losses;

/// <summary>Mean squared error, (x − y)², reduced.</summary>
/// <param name="reduction">How per-element losses are combined.</param>
public sealed class MSELoss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        RequireSameShape("MSELoss", input, target);
        return Reduce((input - target).Pow(2f));
    }
}
