namespace Backprop.NN.Losses;

/// <summary>Negative log-likelihood of log-probabilities [N, C] against class indices [N].</summary>
/// <param name="reduction">How per-sample losses are combined.</param>
public sealed class NLLLoss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        Tensor.ClassIndices("NLLLoss", input, target);
        return Reduce(-input.Gather(1, target.Unsqueeze(1)).Squeeze(1));
    }
}
