using System.CommandLine;
using Cairn.Cli;

Signals.StopIgnoringInterrupt();
// Ctrl+C cancels the command's token; give serve and dev time to stop their nodes cleanly before the process is torn down.
return await CairnCli.Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(20) });
