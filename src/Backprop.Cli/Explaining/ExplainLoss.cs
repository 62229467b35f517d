namespace Backprop.Cli.Explaining;

/// <summary>The costs the step-by-step explanation can derive by hand.</summary>
internal enum ExplainLoss
{
    /// <summary>C = ½·Σ(ŷ − y)², the seed network's cost; dC/dŷ = ŷ − y.</summary>
    HalfSquared,

    /// <summary>C = mean((ŷ − y)²); dC/dŷ = 2(ŷ − y)/n.</summary>
    Mse,

    /// <summary>C = −log softmax(Z_L)[y] on the raw outputs; dC/dZ_L = softmax(Z_L) − onehot(y).</summary>
    CrossEntropy,
}
