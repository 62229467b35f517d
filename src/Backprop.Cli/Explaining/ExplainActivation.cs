namespace Backprop.Cli.Explaining;

/// <summary>The activations the step-by-step explanation can derive by hand.</summary>
internal enum ExplainActivation
{
    /// <summary>max(z, 0); derivative 1 where z &gt; 0.</summary>
    Relu,

    /// <summary>σ(z) = 1/(1 + e^−z); derivative σ(z)·(1 − σ(z)).</summary>
    Sigmoid,

    /// <summary>tanh(z); derivative 1 − tanh²(z).</summary>
    Tanh,

    /// <summary>z for z &gt; 0, 0.01·z otherwise; derivative 1 or 0.01.</summary>
    LeakyRelu,
}
