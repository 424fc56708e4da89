using System.CommandLine;
using Cairn.Cli;

var root = new RootCommand("Cairn: a replicated, in-memory document and key-value store.");
root.Options.Add(ClientCommands.ServerOption);
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(DevCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
foreach (var command in ClientCommands.Create()) root.Subcommands.Add(command);
// Ctrl+C cancels the command's token; give serve and dev time to stop their nodes cleanly before the process is torn down.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(20) });
